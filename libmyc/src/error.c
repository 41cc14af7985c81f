// SPDX-License-Identifier: MIT
/* Names for errors returned by the library. */
#include <string.h>

#include "myc.h"

static const char *const myc_errstr[MYC_ERRNO__END - MYC_ERRNO__START] = {
	[MYC_E_FRAME_SHORT - MYC_ERRNO__START] = "frame: buffer shorter than a frame header",
	[MYC_E_FRAME_LEN_SMALL - MYC_ERRNO__START] = "frame: length below header size",
	[MYC_E_FRAME_TRUNCATED - MYC_ERRNO__START] = "frame: length runs past the buffer",
	[MYC_E_FRAME_OVERSIZE - MYC_ERRNO__START] = "frame: length above the maximum frame size",
	[MYC_E_FRAME_FLAGS - MYC_ERRNO__START] = "frame: unknown flags",
	[MYC_E_FRAME_TYPE - MYC_ERRNO__START] = "frame: invalid type id",
	[MYC_E_FRAME_RESERVED - MYC_ERRNO__START] = "frame: reserved field not zero",
	[MYC_E_FRAME_PADDING - MYC_ERRNO__START] = "frame: padding not zero",
	[MYC_E_BACK_PRESSURED - MYC_ERRNO__START] = "back-pressured: a lossless consumer is full",
	[MYC_E_NO_BUFS - MYC_ERRNO__START] = "no free message buffer",
	[MYC_E_LAPPED - MYC_ERRNO__START] = "consumer was lapped; messages lost",
	[MYC_E_PEER_DEAD - MYC_ERRNO__START] = "peer died",
	[MYC_E_DIGEST - MYC_ERRNO__START] = "schema digest mismatch",
	[MYC_E_VERSION - MYC_ERRNO__START] = "protocol version mismatch",
	[MYC_E_REJECTED - MYC_ERRNO__START] = "rejected by peer",
	[MYC_E_CORRUPT - MYC_ERRNO__START] = "shared memory failed validation",
	[MYC_E_PARSE - MYC_ERRNO__START] = "syntax error",
	[MYC_E_INVALID - MYC_ERRNO__START] = "invalid input",
	[MYC_E_PAYLOAD - MYC_ERRNO__START] = "payload does not match its schema type",
};

const char *myc_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= MYC_ERRNO__START && err < MYC_ERRNO__END &&
	    myc_errstr[err - MYC_ERRNO__START])
		return myc_errstr[err - MYC_ERRNO__START];
	return strerror(err);
}
