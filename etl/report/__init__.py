"""`mlyetl report`: a static HTML page with PNG maps and tables of a filter result."""
