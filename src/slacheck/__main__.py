"""`python -m slacheck`."""

from slacheck.cli import main

main(prog_name="slacheck")
