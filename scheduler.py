"""``python scheduler.py [options]`` = ``govwatch daemon [options]``: crawl every site on its schedule."""

from crawler.daemon.cli import daemon

if __name__ == "__main__":
    daemon(prog_name="scheduler.py")
