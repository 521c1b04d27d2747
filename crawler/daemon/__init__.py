"""``govwatch daemon``: APScheduler 3.x runs every site's crawl on its schedule, one subprocess per run.

- ``jobs``: the scheduler (one cron job per site) and the long-running loop with clean shutdown;
- ``runs``: one crawl as a subprocess — timeout, kill, recording a killed run failed, delivery;
- ``due``: the ``--once`` rule (a scheduled time fell since the site's last recorded run);
- ``logs``: one line per run start/end, as text or JSON lines;
- ``cli``: the click command.
"""
