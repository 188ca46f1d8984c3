from riia.sample.generator import main

__all__ = ["main"]
