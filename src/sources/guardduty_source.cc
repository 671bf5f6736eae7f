#include "sources/guardduty_source.h"
