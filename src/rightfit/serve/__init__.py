"""Serving over HTTP: the Open Inference Protocol (v2), a simple JSON/CSV API and metrics."""
