"""Customer segmentation: clustering with stability checks and segment profiles."""
