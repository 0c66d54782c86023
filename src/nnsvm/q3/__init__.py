"""Q3: an MLP and LeNet-5 on MNIST, and how invariant each is to shifts."""
