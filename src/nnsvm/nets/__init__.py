"""The neural networks Q1 and Q3 share: the models, their params, training, augmentation and checkpoints."""
