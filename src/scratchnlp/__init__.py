"""scratchnlp: the NLP and recurrent networks of *Deep Learning from Scratch 2*, tested and fast, in NumPy/CuPy."""

__version__ = "0.1.0"

__all__ = ["__version__"]
