"""The files of a workspace: the ledger, its lock, the private store, the configuration."""
