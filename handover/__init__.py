"""The domain core of the transition handover tool. Never imports Qt."""

__version__ = "0.1.0"
