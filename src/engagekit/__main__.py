"""`python -m engagekit` runs the CLI."""
from engagekit.cli import main

if __name__ == "__main__":  # not when a helper process (the collector's converter) imports it
    main()
