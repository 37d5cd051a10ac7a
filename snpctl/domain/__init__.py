"""The pure core: events, the state they fold into, and the cascade's decisions.

Nothing in this package reads a file, the clock or the command line.
"""
