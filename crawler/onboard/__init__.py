"""From a column URL to a watched site: which profile reads the page (``detect``) and the site entry
written into config.yaml, comments kept and validated first (``entry``); the commands are
``govwatch init`` and ``govwatch add-site`` (``cli``)."""
