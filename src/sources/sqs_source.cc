#include "sources/sqs_source.h"
