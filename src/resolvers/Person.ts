import { GraphQLError } from 'graphql';
import { inAccountOrder } from '../directory/index-store.js';
import { isPersonIdForm, PERSON_ID_FORM } from '../directory/person-ids.js';
import type { DirectoryQueries } from '../directory/queries.js';
import { emailProblem, MAX_EMAIL_LENGTH, normaliseEmail, personEmailOf } from '../directory/text.js';
import type { PersonResolvers, QueryResolvers, UserResolvers } from '../generated/resolvers-types.js';
import { InvalidIdError } from '../ids.js';
import type { PersonModel, UserModel } from '../models.js';
import { directoryOf } from './directory.js';

/**
 * One person across both platforms (schema `person.graphql`): the users of every provider whose
 * email, normalised, is the same, from the directory index. A person spans every provider, so each
 * field needs every provider's index ready.
 */

/**
 * The person with this normalised email, or null when no user has it. `member`, a user known to
 * have it (`User.person`), is among the accounts even when the index has not taken its latest
 * read yet, so that `u.person.accounts` always holds `u`.
 */
function personWith(directory: DirectoryQueries, email: string, member?: UserModel): PersonModel | null {
  const ids = directory.usersWithEmail(email);
  const ordered = member === undefined || ids.includes(member.id) ? ids : inAccountOrder([...ids, member.id]);
  const accounts: UserModel[] = [];
  for (const id of ordered) {
    const user = id === member?.id ? member : directory.user(id);
    if (user !== undefined) accounts.push(user);
  }
  return accounts.length === 0 ? null : { id: directory.personIdOf(email), email, accounts };
}

export const personQueryFields: Pick<QueryResolvers, 'person'> = {
  person: (_, { email }, context) => {
    const normalised = normaliseEmail(email);
    const problem = emailProblem(normalised);
    if (problem !== undefined) {
      throw new GraphQLError(
        `person(email:) must be an email address (some text, "@", some text, no whitespace, at most ${MAX_EMAIL_LENGTH} characters); got a ${email.length}-character string, and ${problem}.`,
        { extensions: { code: 'BAD_USER_INPUT' } },
      );
    }
    const directory = directoryOf(context);
    directory.requireReady(directory.providers());
    return personWith(directory, normalised);
  },
};

export const personUserFields: Pick<UserResolvers, 'person'> = {
  person: (user, _, context) => {
    const directory = directoryOf(context);
    directory.requireReady(directory.providers());
    const email = personEmailOf(user.email);
    return email === undefined ? null : personWith(directory, email, user);
  },
};

export const Person: PersonResolvers = {
  // Async so that a bad id rejects this representation alone (as `User.__resolveReference`).
  __resolveReference: async (reference, context) => {
    const id: unknown = reference.id;
    if (typeof id !== 'string' || !isPersonIdForm(id)) {
      throw new InvalidIdError(
        `representation id must be a person id: ${PERSON_ID_FORM}; got ${typeof id === 'string' ? `a ${id.length}-character string that is not one` : `a ${id === null ? 'null' : typeof id}`}.`,
        'representation id',
      );
    }
    const directory = directoryOf(context);
    directory.requireReady(directory.providers());
    const email = await directory.personEmail(id);
    return email === undefined ? null : personWith(directory, email);
  },
  displayName: (person) => person.accounts[0]!.displayName,
};
