/* An errno in the words the faces show for a process that could not be read. */
#ifndef ORPHANAGE_ERRTEXT_H
#define ORPHANAGE_ERRTEXT_H

/* "permission denied" for EACCES and EPERM, "gone" for ENOENT and ESRCH, else strerror. */
const char *errtext_words(int err);

#endif
