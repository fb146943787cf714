"""English as written in the United Kingdom, as the European institutions write it: day
before month ("5 Feb 2024", "05/02/2024"), weeks starting on Monday. Django's own "en" is
the United States' order, which reads as another date to a French reader (05/02 is 2 May
to them). The formats are Django's en_GB ones."""

from django.conf.locale.en_GB import formats as en_gb

DATE_FORMAT = en_gb.DATE_FORMAT
TIME_FORMAT = en_gb.TIME_FORMAT
DATETIME_FORMAT = en_gb.DATETIME_FORMAT
YEAR_MONTH_FORMAT = en_gb.YEAR_MONTH_FORMAT
MONTH_DAY_FORMAT = en_gb.MONTH_DAY_FORMAT
SHORT_DATE_FORMAT = en_gb.SHORT_DATE_FORMAT
SHORT_DATETIME_FORMAT = en_gb.SHORT_DATETIME_FORMAT
FIRST_DAY_OF_WEEK = en_gb.FIRST_DAY_OF_WEEK
DATE_INPUT_FORMATS = en_gb.DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = en_gb.DATETIME_INPUT_FORMATS
DECIMAL_SEPARATOR = en_gb.DECIMAL_SEPARATOR
THOUSAND_SEPARATOR = en_gb.THOUSAND_SEPARATOR
NUMBER_GROUPING = en_gb.NUMBER_GROUPING
