import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * Finds fields that the Kubernetes API does not define, which kubernetes-models' validation lets
 * through (its schemas allow additional properties) and a real API server drops or rejects.
 * The field sets come from kubernetes-models' own type declarations, generated from the
 * Kubernetes OpenAPI document, read with the TypeScript compiler.
 */
export class StrictFieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;

  /** `models`: [apiVersion, kind] of every kind to check, e.g. ['apps/v1', 'Deployment']. */
  constructor(models: ReadonlyArray<readonly [string, string]>) {
    this.program = ts.createProgram(
      [...models.map(([apiVersion, kind]) => declarationFile(apiVersion, kind)), objectMetaFile()],
      { strict: true, noEmit: true, skipLibCheck: true, types: [] },
    );
    this.checker = this.program.getTypeChecker();
  }

  /** Paths of unknown fields in a whole object of a known kind, e.g. `spec.template.spec.containers[0].bogus`. */
  unknownFields(object: { apiVersion: string; kind: string }): string[] {
    const type = this.interfaceType(declarationFile(object.apiVersion, object.kind), `I${object.kind}`);
    const found: string[] = [];
    this.walk(object, type, '', found);
    return found;
  }

  /** Unknown fields of an ObjectMeta (for custom resources, whose spec another schema checks). */
  unknownMetadataFields(metadata: unknown): string[] {
    const found: string[] = [];
    this.walk(metadata, this.interfaceType(objectMetaFile(), 'IObjectMeta'), 'metadata', found);
    return found;
  }

  private interfaceType(file: string, name: string): ts.Type {
    const source = this.program.getSourceFile(file);
    if (!source) throw new Error(`kubernetes-models has no declarations at ${file}`);
    const module = this.checker.getSymbolAtLocation(source);
    const symbol = module && this.checker.getExportsOfModule(module).find((s) => s.name === name);
    if (!symbol) throw new Error(`${file} does not declare ${name}`);
    return this.checker.getDeclaredTypeOfSymbol(symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol);
  }

  private walk(value: unknown, type: ts.Type, path: string, found: string[]): void {
    if (value === null || typeof value !== 'object') return;
    const shape = this.objectShape(type);
    if (!shape) return;
    if (Array.isArray(value)) {
      const { element } = shape;
      if (element) value.forEach((item, index) => this.walk(item, element, `${path}[${index}]`, found));
      return;
    }
    if (shape.properties.size === 0) {
      // A map (labels, resources) or a free-form object (RawExtension): only its values can be checked.
      if (shape.index) for (const [key, item] of Object.entries(value)) this.walk(item, shape.index, `${path}.${key}`, found);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      const property = shape.properties.get(key);
      const here = path ? `${path}.${key}` : key;
      if (!property) found.push(here);
      else this.walk(item, this.checker.getTypeOfSymbol(property), here, found);
    }
  }

  /** The properties, index type or element type of a type, looking through `| undefined` and aliases. */
  private objectShape(type: ts.Type): { properties: Map<string, ts.Symbol>; index?: ts.Type; element?: ts.Type } | undefined {
    const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    const objects = parts.filter((t) => t.flags & ts.TypeFlags.Object);
    if (objects.length === 0) return undefined;
    const arrayType = objects.find((t) => this.checker.isArrayType(t));
    if (arrayType) return { properties: new Map(), element: this.checker.getTypeArguments(arrayType as ts.TypeReference)[0] };
    const properties = new Map<string, ts.Symbol>();
    let index: ts.Type | undefined;
    for (const object of objects) {
      for (const property of this.checker.getPropertiesOfType(object)) properties.set(property.name, property);
      index ??= this.checker.getIndexTypeOfType(object, ts.IndexKind.String);
    }
    return { properties, index };
  }
}

const MODELS_ROOT = dirname(require.resolve('kubernetes-models/package.json'));

function declarationFile(apiVersion: string, kind: string): string {
  return join(MODELS_ROOT, apiVersion, `${kind}.d.ts`);
}

function objectMetaFile(): string {
  return join(dirname(require.resolve('@kubernetes-models/apimachinery/package.json')), 'apis/meta/v1/ObjectMeta.d.ts');
}
