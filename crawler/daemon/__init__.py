"""``govwatch daemon``: APScheduler 3.x runs every site's crawl on its schedule; the sites that come
due together share one crawl process of the batch supervisor (``crawler.crawl.batches``).

- ``jobs``: the scheduler (one cron job per site) and the long-running loop with clean shutdown;
- ``dispatch``: due sites into batches — the gathering window, ``max_parallel`` crawl processes,
  no overlapping runs of a site, a site that waited past ``misfire_grace`` missed;
- ``crawlrun``: one batch through the supervisor, its runs watched: log lines and deliveries as
  each run ends;
- ``record``: a run's outcome from its row; runs a killed daemon left ``running``;
- ``due``: the ``--once`` rule (a scheduled time fell since the site's last recorded run);
- ``logs``: one line per run start/end, as text or JSON lines;
- ``cli``: the click command.
"""
