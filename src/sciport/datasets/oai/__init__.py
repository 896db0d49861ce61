"""OAI-PMH 2.0 for the Science Data Bank: harvesters (OpenAIRE, BASE, DataCite) read published and withdrawn versions.

``protocol`` checks a request's arguments and dates, ``tokens`` makes the resumption tokens,
``formats`` renders (and caches) each record's metadata, ``responses`` writes each verb's answer.
"""
