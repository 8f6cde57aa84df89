/**
 * Points the real AWS SDK at an emulator through the environment, as a deployment would (`AWS_ENDPOINT_URL_*`
 * and credentials), and returns what puts the environment back as it was.
 */
export function setAwsEnvironment(values: Readonly<Record<string, string>>): () => void {
  const saved = new Map(Object.keys(values).map((name) => [name, process.env[name]]))
  Object.assign(process.env, values)
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}
