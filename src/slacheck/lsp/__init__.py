"""`slacheck lsp`: a language server for contracts, so an editor shows lint's diagnostics as
a contract is typed, completes names inside clauses and says in words what a clause means.

The logic is plain functions over a document's text and a 0-based (line, column) position,
columns in code points (`convert`, `document`, `complete`, `hover`); only `server` knows the
protocol, and only it imports pygls (the optional extra `lsp`).
"""
