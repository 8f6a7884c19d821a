/*
 * findings_json.c - the members that name a part of the findings, for
 * every JSON that lists parts (findings_json.h): one place, so that
 * "grondslag scan --json" and the jurists' view of a message name parts
 * alike.
 *
 * Public function: findings_json_part_ident().
 */
#include "grondslag/scan/findings_json.h"

void findings_json_part_ident(struct json *j, const struct finding_part *p)
{
	json_key(j, "path");
	json_str(j, p->path);
	json_key(j, "type");
	json_str(j, p->type);
	json_key(j, "filename");
	json_str(j, p->filename);
	json_key(j, "bytes");
	json_uint(j, p->bytes);
}
