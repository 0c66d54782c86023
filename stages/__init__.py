"""One thin entry point per DVC stage: ``python -m stages.<name>``.

Started that way, the stage runs in a fork of a warm Python that has MLflow and the libraries every stage
imports loaded already (:mod:`nnsvm.warm`); this process waits for it and exits as it exits. ``NNSVM_WARM=0``
runs the stage in this process.
"""

from nnsvm.warm import hand_off

hand_off()  # returns only where the stage is to run here
