#include "config.h"

#include "errtext.h"

#include <errno.h>
#include <string.h>

const char *errtext_words(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "permission denied";
	case ENOENT:
	case ESRCH:
		return "gone";
	default:
		return strerror(err);
	}
}
