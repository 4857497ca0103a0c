"""numpy's BLAS on one thread.

OpenBLAS starts a thread per core and, after each call, keeps them spinning
for more work. The reader's matrix products are small (a message against
~1,300 example vectors of 384 numbers), so a second thread adds nothing:
measured per message (bench_understanding.py --only step), 71 ms of CPU for
36 ms of wall time with OpenBLAS's default, 36 ms of CPU for the same 36 ms
with one thread. On two cores that spinning thread took CPU from the event
loop and the model. ``threadpoolctl`` sets the limit after numpy is loaded,
whoever imported it first.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def limit_blas_threads() -> None:
    threadpool_limits(limits=1, user_api="blas")
