"""`python -m etl` is the same as the `mlyetl` command."""

from etl.cli import main

main()
