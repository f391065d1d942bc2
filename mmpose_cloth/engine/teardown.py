"""The end of a process's part in a distributed (torchrun) run."""
import gc

import torch.distributed as dist

__all__ = ['teardown_distributed']


def teardown_distributed() -> None:
    """Destroy the default process group while the interpreter is whole.

    Gloo runs collectives on its own C++ threads (``pt_gloo_runloop``),
    which live as long as the process group, and the group lives as long as
    anything holds it: MMEngine's DDP wrapper (``runner.model``) does. Left
    to the interpreter's finalisation, a gloo thread that releases the last
    collective's tensors then needs the GIL of an interpreter that is going
    away; Python ends such a thread with ``pthread_exit``, whose forced
    unwind through C++ ends in ``std::terminate`` ("terminate called without
    an active exception", SIGABRT), and torchrun reports a failed run after
    training or testing had finished. Call this after the last reference to
    the runner is gone (``del runner``): a barrier, so every rank has
    finished its collectives, then ``destroy_process_group`` and a garbage
    collection, which free the group and join its threads. Without a
    process group it does nothing.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    dist.barrier()
    dist.destroy_process_group()
    gc.collect()
