"""Core commands: plain values in, a Plan out. They never print and never exit."""
