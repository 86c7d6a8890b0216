"""The two drug mechanisms and the shared DNA-damage-to-apoptosis module."""
