"""``report-export batch``: a folder of reports (or a list, or a manifest) into every format,
on this machine or a Dask cluster.

``sources`` turns the command line into jobs, ``engine`` plans them against the build cache
and runs the stale formats on Dask (``cluster``: where, the warm-up, the recycler), ``tasks`` is
what a worker runs, ``summary`` the HTML and JSON report of a batch.
"""
