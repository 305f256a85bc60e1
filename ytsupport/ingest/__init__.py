"""Reading and checking branch report workbooks: check -> read -> locate -> parse -> validate."""
