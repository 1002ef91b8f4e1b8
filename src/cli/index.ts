export async function main(argv: string[] = process.argv): Promise<void> {
  void argv;
}
