"""dbgen: generate FastAPI database applications that run and pass their own tests."""

__version__ = "0.12.0"
