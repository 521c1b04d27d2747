"""Per-CMS list-page readers in a registry by name (hanweb, trs, generic). Pure: no network.

profile = get_profile("hanweb")            # get_profile("generic", site.profile_options): its options
request = profile.first_request(column_url)
page = profile.parse_list(body, url, headers, request.context)   # -> ListPage(items, next, ok …)
"""

from crawler.profiles import generic, hanweb, trs  # noqa: F401  (register the profiles)
from crawler.profiles.base import PROFILES, ListItem, ListPage, PageRequest, Profile, get_profile, register
from crawler.profiles.dates import date_from_url, find_date

__all__ = [
    "PROFILES",
    "ListItem",
    "ListPage",
    "PageRequest",
    "Profile",
    "date_from_url",
    "find_date",
    "get_profile",
    "register",
]
