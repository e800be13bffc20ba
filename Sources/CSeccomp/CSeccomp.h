// libseccomp (Debian: libseccomp-dev), which builds the sandbox's seccomp filter.
#include <seccomp.h>
