"""Q6: SVM kernel grid search on MNIST against logistic regression."""
