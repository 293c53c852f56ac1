"""SQL scripts shipped with gimexport: the reference Info Mart and target DDL."""
