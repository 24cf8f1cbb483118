"""Export a bundle to portable formats: ONNX and MLflow pyfunc."""
