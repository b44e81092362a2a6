// Validates an OpenAPI document with an independent validator (@apidevtools/swagger-parser):
// structure against the OpenAPI 3 schema, and every $ref resolves. Exit 0 when valid.
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
try {
  const api = await SwaggerParser.validate(file);
  console.log(`valid: ${api.info.title} ${api.info.version}, ${Object.keys(api.paths).length} paths`);
} catch (error) {
  console.error(`invalid: ${error.message}`);
  process.exit(1);
}
