// Prints a new random API token (tf_<prefix>_<secret>) for TUNEFORGE_ADMIN_TOKEN: infra/dev/demo.sh makes the demo's with it.
import { newApiToken } from '../credentials';

process.stdout.write(newApiToken().token);
