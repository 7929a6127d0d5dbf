"""Database access: which server to use, the embedded cluster, connections, migrations."""
