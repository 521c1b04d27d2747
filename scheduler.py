"""``python scheduler.py [options]`` = ``govwatch daemon [options]``: crawl every site on its schedule."""

from crawler.daemon.cli import daemon
from crawler.safetext import install_log_filter

if __name__ == "__main__":
    install_log_filter()
    daemon(prog_name="scheduler.py")
