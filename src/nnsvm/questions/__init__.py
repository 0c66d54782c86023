"""One module per checked question: run the library on the data, judge the seed's claims.

Each module offers ``run(...)`` (numbers, as a JSON-ready dict), ``claims(...)``
(the seed's claims with computed verdicts) and ``figures(...)``; the stage of
the same name only wires them to files and tracking.
"""
