"""Backbones of the Siamese branches other than the paper AlexNet (which lives in tracker.network)."""
