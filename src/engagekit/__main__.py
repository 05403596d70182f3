"""`python -m engagekit` runs the CLI."""
from engagekit.cli import main

main()
