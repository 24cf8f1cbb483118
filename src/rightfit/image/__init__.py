"""Image classification from a folder of class subfolders (Keras, transfer learning)."""
