/* Placeholder while the command is being built. */
#include "cmd.h"

struct mlk_error *
cmd_register(int argc, char **argv, struct mlk_ctx *ctx)
{
	(void)argc;
	(void)argv;
	(void)ctx;
	return mlk_error_new(MLK_ERR_FAIL, "register: not built yet");
}
