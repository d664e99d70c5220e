/**
 * The .proto files follow buf's naming rules (the STANDARD lint set's naming part), so generated
 * clients in any language get idiomatic names: a versioned package matching its directory,
 * services ending in Service, <Rpc>Request / <Rpc>Response messages used by one RPC each,
 * PascalCase types, lower_snake_case fields, UPPER_SNAKE enum values prefixed with their enum's
 * name and a *_UNSPECIFIED zero value.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { apiProtoFiles, protoRoot, serviceNames } from './proto.js'

const PASCAL = /^[A-Z][A-Za-z0-9]*$/
const LOWER_SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/
const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/
const upperSnake = (pascal: string) => pascal.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()

function load(): protobuf.Root {
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(protoRoot, target))
  return root.loadSync([...apiProtoFiles], { keepCase: true })
}

/** Every type, enum and service under a namespace, nested ones included. */
function walk(namespace: protobuf.NamespaceBase): protobuf.ReflectionObject[] {
  return namespace.nestedArray.flatMap((object) =>
    object instanceof protobuf.Namespace || object instanceof protobuf.Type ? [object, ...walk(object)] : [object],
  )
}

describe('proto/chat4all/v1 naming (buf style)', () => {
  const root = load()
  const v1 = root.lookup('chat4all.v1') as protobuf.Namespace
  const objects = walk(v1)
  const services = objects.filter((o): o is protobuf.Service => o instanceof protobuf.Service)
  const types = objects.filter((o): o is protobuf.Type => o instanceof protobuf.Type)
  const enums = objects.filter((o): o is protobuf.Enum => o instanceof protobuf.Enum)

  it('loads every .proto file of the directory, all in the versioned package chat4all.v1', () => {
    const onDisk = readdirSync(join(protoRoot, 'chat4all/v1')).filter((name) => name.endsWith('.proto')).map((name) => `chat4all/v1/${name}`)
    expect([...apiProtoFiles].sort(), 'proto.ts lists every file').toEqual(onDisk.sort())
    expect(v1.fullName).toMatch(/\.v\d+$/)
    for (const object of objects) {
      expect(object.filename?.replaceAll('\\', '/'), object.fullName).toContain(`/chat4all/v1/`)
    }
  })

  it('names services *Service and lists them in proto.ts', () => {
    for (const service of services) expect(service.name, service.fullName).toMatch(/^[A-Z][A-Za-z0-9]*Service$/)
    expect(services.map((s) => s.fullName.slice(1)).sort()).toEqual([...serviceNames].sort())
  })

  it('gives each RPC its own <Rpc>Request and <Rpc>Response', () => {
    const used = new Map<string, string>()
    for (const service of services) {
      for (const method of service.methodsArray) {
        expect(method.name, method.fullName).toMatch(PASCAL)
        expect(method.requestType, method.fullName).toBe(`${method.name}Request`)
        expect(method.responseType, method.fullName).toBe(`${method.name}Response`)
        for (const type of [method.requestType, method.responseType]) {
          expect(used.get(type), `${type} is used by ${used.get(type)} and ${method.fullName}`).toBeUndefined()
          used.set(type, method.fullName)
        }
      }
    }
  })

  it('names messages in PascalCase and fields in lower_snake_case', () => {
    for (const type of types) {
      expect(type.name, type.fullName).toMatch(PASCAL)
      for (const field of type.fieldsArray) expect(field.name, field.fullName).toMatch(LOWER_SNAKE)
      for (const oneof of type.oneofsArray.filter((o) => !o.name.startsWith('_'))) expect(oneof.name, oneof.fullName).toMatch(LOWER_SNAKE)
    }
  })

  it('names enum values UPPER_SNAKE with the enum prefix and a *_UNSPECIFIED zero', () => {
    expect(enums.length).toBeGreaterThan(0)
    for (const enumType of enums) {
      expect(enumType.name, enumType.fullName).toMatch(PASCAL)
      const prefix = `${upperSnake(enumType.name)}_`
      for (const [name, value] of Object.entries(enumType.values)) {
        expect(name, enumType.fullName).toMatch(UPPER_SNAKE)
        expect(name.startsWith(prefix), `${name} starts with ${prefix}`).toBe(true)
        if (value === 0) expect(name).toBe(`${prefix}UNSPECIFIED`)
      }
      expect(Object.values(enumType.values), `${enumType.fullName} has a zero value`).toContain(0)
    }
  })
})
