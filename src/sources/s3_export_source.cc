#include "sources/s3_export_source.h"
